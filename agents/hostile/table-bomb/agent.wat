;; Hostile: grows a table by 1,024 elements at a time until stopped (table limit).
;; Written as component WAT because Rust has no table.grow.
(component
  (core module $m
    (memory (export "memory") 1)
    (table $t 1 funcref)
    (global $heap (mut i32) (i32.const 1024))
    ;; A bump allocator: enough for lowering the job's input.
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $heap))
      (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get 3)) (i32.const 7)) (i32.const -8)))
      (local.get $p))
    (func (export "run") (param i32 i32) (result i32)
      (loop $grow
        (br_if $grow (i32.ne (table.grow $t (ref.null func) (i32.const 1024)) (i32.const -1))))
      unreachable))
  (core instance $i (instantiate $m))
  (func (export "run") (param "input" (list u8)) (result (result (list u8) (error string)))
    (canon lift (core func $i "run") (memory (core memory $i "memory")) (realloc (core func $i "realloc")))))
