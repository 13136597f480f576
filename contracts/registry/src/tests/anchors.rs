//! Receipt-batch anchors.

use super::*;
use redoubt_contracts_common::storage_cost;

fn root(byte: u8) -> HexBytes<32> {
    HexBytes([byte; 32])
}

fn registered() -> Reg {
    let (ca, _, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    reg.register(NODE, ev).unwrap();
    reg
}

#[test]
fn an_active_node_anchors_batches_and_pays_for_them() {
    let mut reg = registered();
    let usage = reg.storage_usage;
    let anchor = reg.call(NODE, DEPOSIT, |r| r.anchor_batch(1, root(1), 10)).unwrap();
    assert_eq!((anchor.batch_index, anchor.root, anchor.count, anchor.anchored_at_ms), (1, root(1), 10, START_MS));
    let charged = storage_cost(reg.storage_usage - usage).as_yoctonear();
    assert_eq!(reg.sent_to(NODE), DEPOSIT.as_yoctonear() - charged);
    let events = reg.events();
    assert_eq!(events[0].0, "batch_anchored");
    assert_eq!(
        (events[0].1["batch_index"].as_u64(), text(&events[0].1["root"])),
        (Some(1), root(1).to_string().as_str())
    );
    assert_eq!(reg.view(|r| r.get_anchor(acc(NODE), 1)), Some(anchor));
    assert_eq!(reg.view(|r| r.get_anchor_head(acc(NODE))).map(|h| (h.count, h.last_batch_index)), Some((1, 1)));
}

#[test]
fn batch_indices_strictly_increase_and_batches_are_not_empty() {
    let mut reg = registered();
    reg.call(NODE, DEPOSIT, |r| r.anchor_batch(5, root(5), 1)).unwrap();
    for index in [5, 4, 0] {
        assert_eq!(
            reg.call(NODE, DEPOSIT, |r| r.anchor_batch(index, root(9), 1)),
            Err(RegistryError::BatchIndexNotIncreasing { index, last: 5 })
        );
    }
    assert_eq!(reg.call(NODE, DEPOSIT, |r| r.anchor_batch(6, root(6), 0)), Err(RegistryError::EmptyBatch));
    assert!(matches!(
        reg.call(NODE, yocto(0), |r| r.anchor_batch(6, root(6), 1)),
        Err(RegistryError::InsufficientDeposit(_))
    ));
    reg.call(NODE, DEPOSIT, |r| r.anchor_batch(9, root(9), 1)).unwrap();
}

#[test]
fn only_active_registered_nodes_anchor() {
    let mut reg = registered();
    assert_eq!(
        reg.call("stranger.near", DEPOSIT, |r| r.anchor_batch(1, root(1), 1)),
        Err(RegistryError::NotRegistered(acc("stranger.near")))
    );
    reg.now_ms += 30 * DAY_MS;
    assert_eq!(reg.call(NODE, DEPOSIT, |r| r.anchor_batch(1, root(1), 1)), Err(RegistryError::NotActive(acc(NODE))));
}

#[test]
fn lookups_find_every_anchor_and_nothing_else() {
    let mut reg = registered();
    let indices: Vec<u64> = (0..40).map(|i| i * 3 + (i % 2)).collect();
    for &i in &indices {
        reg.call(NODE, DEPOSIT, |r| r.anchor_batch(i, root(i as u8), i + 1)).unwrap();
    }
    for &i in &indices {
        assert_eq!(reg.view(|r| r.get_anchor(acc(NODE), i)).map(|a| a.count), Some(i + 1));
    }
    for missing in [2, 5, 200, u64::MAX] {
        assert_eq!(reg.view(|r| r.get_anchor(acc(NODE), missing)), None);
    }
    assert_eq!(reg.view(|r| r.get_anchor(acc("other.near"), 0)), None);
    let page = reg.view(|r| r.get_anchors(acc(NODE), Some(38), Some(10)));
    assert_eq!(page.iter().map(|a| a.batch_index).collect::<Vec<_>>(), indices[38..].to_vec());
    assert_eq!(reg.view(|r| r.get_anchors(acc(NODE), None, None)).len(), 40);
}

#[test]
fn anchors_outlive_the_registration() {
    let mut reg = registered();
    reg.call(NODE, DEPOSIT, |r| r.anchor_batch(1, root(1), 1)).unwrap();
    reg.call(NODE, yocto(0), |r| r.unregister()).unwrap();
    assert!(reg.view(|r| r.get_anchor(acc(NODE), 1)).is_some());
    let (_, _, ev) = milan_node(NODE);
    reg.register(NODE, ev).unwrap();
    assert_eq!(
        reg.call(NODE, DEPOSIT, |r| r.anchor_batch(1, root(1), 1)),
        Err(RegistryError::BatchIndexNotIncreasing { index: 1, last: 1 })
    );
    reg.call(NODE, DEPOSIT, |r| r.anchor_batch(2, root(2), 1)).unwrap();
    assert_eq!(reg.view(|r| r.get_anchor_head(acc(NODE))).unwrap().count, 2);
}
