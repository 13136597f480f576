//! Every hostile agent is stopped by the right limit with the right error.

use crate::support::{limit_hit, load, run, sandbox, sandbox_with};
use redoubt_sandbox::{JobError, LimitKind, Limits, LoadError};

#[tokio::test]
async fn an_infinite_loop_runs_out_of_fuel() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "infinite-loop");
    let report = run(&sandbox, &agent, b"").await;
    assert_eq!(limit_hit(&report), LimitKind::Fuel);
    assert_eq!(report.usage.fuel, agent.limits().fuel, "all the fuel was used");
}

#[tokio::test]
async fn an_infinite_loop_with_unlimited_fuel_hits_the_wall_time() {
    let sandbox = sandbox_with(|c| {
        c.defaults = Limits { fuel: u64::MAX / 2, wall_time_ms: 300, ..c.defaults.clone() };
        c.caps.fuel = u64::MAX;
    });
    let agent = load(&sandbox, "infinite-loop");
    let report = run(&sandbox, &agent, b"").await;
    assert_eq!(limit_hit(&report), LimitKind::WallTime);
    let ms = report.usage.wall_time_us / 1000;
    assert!((300..3_000).contains(&ms), "stopped after {ms} ms");
}

#[tokio::test]
async fn a_memory_bomb_is_stopped_at_the_memory_limit() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "memory-bomb");
    let report = run(&sandbox, &agent, b"").await;
    assert_eq!(limit_hit(&report), LimitKind::Memory);
    assert!(report.usage.memory_peak_bytes <= agent.limits().memory_bytes);
}

#[tokio::test]
async fn a_table_bomb_is_stopped_at_the_table_limit() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "table-bomb");
    let report = run(&sandbox, &agent, b"").await;
    assert_eq!(limit_hit(&report), LimitKind::TableElements);
    assert!(report.usage.table_peak_elements <= agent.limits().table_elements);
}

#[tokio::test]
async fn an_instance_bomb_is_stopped_at_the_instance_limit() {
    let sandbox = sandbox();
    match sandbox.load(crate::support::package("instance-bomb")) {
        Ok(agent) => assert_eq!(limit_hit(&run(&sandbox, &agent, b"").await), LimitKind::Instances),
        Err(LoadError::StaticLimit { kind, .. }) => assert_eq!(kind, LimitKind::Instances),
        Err(other) => panic!("expected the instance limit, got {other}"),
    }
}

#[tokio::test]
async fn deep_recursion_overflows_the_stack_limit() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "deep-recursion");
    let report = run(&sandbox, &agent, b"").await;
    assert_eq!(limit_hit(&report), LimitKind::Stack);
}

#[tokio::test]
async fn an_output_bomb_is_refused_at_the_output_limit() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "output-bomb");
    let report = run(&sandbox, &agent, b"").await;
    assert_eq!(limit_hit(&report), LimitKind::OutputBytes);
    assert!(report.usage.output_bytes > agent.limits().output_bytes);
}

#[tokio::test]
async fn a_log_flood_is_stopped_at_the_line_limit() {
    let sandbox = sandbox_with(|c| c.defaults.log_lines = 100);
    let agent = load(&sandbox, "log-flood");
    let report = run(&sandbox, &agent, b"").await;
    assert_eq!(limit_hit(&report), LimitKind::LogLines);
    assert_eq!(report.usage.log_lines, 100);
}

#[tokio::test]
async fn a_log_flood_is_stopped_at_the_byte_limit() {
    let sandbox = sandbox_with(|c| c.defaults.log_bytes = 4096);
    let agent = load(&sandbox, "log-flood");
    let report = run(&sandbox, &agent, b"").await;
    assert_eq!(limit_hit(&report), LimitKind::LogBytes);
    assert!(report.usage.log_bytes <= 4096);
}

#[tokio::test]
async fn a_host_call_flood_is_stopped_at_the_call_limit() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "host-call-flood");
    let report = run(&sandbox, &agent, b"").await;
    assert_eq!(limit_hit(&report), LimitKind::KvCalls);
    assert_eq!(report.usage.host_calls.kv, agent.limits().kv_calls);
}

#[tokio::test]
async fn a_trap_is_reported_as_a_trap() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "trap");
    match run(&sandbox, &agent, b"").await.outcome {
        Err(JobError::Trap { message }) => assert!(message.contains("unreachable"), "{message}"),
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[tokio::test]
async fn a_panic_with_a_huge_message_is_cut_at_the_log_limit() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "panic-huge");
    let report = run(&sandbox, &agent, b"").await;
    assert_eq!(limit_hit(&report), LimitKind::LogBytes);
    assert!(report.console.len() as u64 <= agent.limits().log_bytes);
    let error = report.outcome.unwrap_err().to_string();
    assert!(error.len() < 8192, "the error stays small: {} bytes", error.len());
}

#[tokio::test]
async fn an_oversized_input_is_refused_before_the_agent_runs() {
    let sandbox = sandbox_with(|c| c.defaults.input_bytes = 16);
    let agent = load(&sandbox, "echo");
    let report = run(&sandbox, &agent, &[b'x'; 17]).await;
    assert_eq!(limit_hit(&report), LimitKind::InputBytes);
    assert_eq!(report.usage.fuel, 0, "the agent never ran");
}

#[tokio::test]
async fn the_sandbox_keeps_serving_after_every_hostile_agent() {
    let sandbox = sandbox();
    for name in ["infinite-loop", "memory-bomb", "table-bomb", "deep-recursion", "output-bomb", "trap", "panic-huge"] {
        let agent = load(&sandbox, name);
        assert!(run(&sandbox, &agent, b"").await.outcome.is_err(), "{name} must fail");
    }
    let echo = load(&sandbox, "echo");
    assert_eq!(crate::support::output(&run(&sandbox, &echo, b"still here").await), b"still here");
}
