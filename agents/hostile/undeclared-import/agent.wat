;; Hostile: imports an interface the redoubt:agent world does not offer (a raw
;; socket). The sandbox must refuse it at load, before any code runs.
(component
  (import "evil:net/raw-socket@0.1.0" (instance $socket
    (export "send" (func (param "bytes" (list u8))))))
  (core module $m
    (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
    (func (export "run") (param i32 i32) (result i32)
      (i64.store (i32.const 16) (i64.const 0))
      (i32.store (i32.const 24) (i32.const 0))
      (i32.const 16)))
  (core instance $i (instantiate $m))
  (func (export "run") (param "input" (list u8)) (result (result (list u8) (error string)))
    (canon lift (core func $i "run") (memory (core memory $i "memory")) (realloc (core func $i "realloc")))))
