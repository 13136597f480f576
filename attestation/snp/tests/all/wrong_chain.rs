//! A VCEK of another chip, a chain of another family, and roots that are not the report's.

use redoubt_snp::{CertRole, Family, Rejection, Roots, verify_report, verify_vcek};

use crate::data::{NOW, SetExt, cert, load};

#[test]
fn a_vcek_of_another_chip_is_rejected() {
    let (Some(virtee), Some(gosev), Some(msft)) =
        (load("virtee-sev-milan"), load("gosevguest-milan"), load("msft-tav-milan"))
    else {
        return;
    };
    for (report, other) in [(&virtee, &gosev), (&gosev, &virtee), (&msft, &virtee), (&virtee, &msft)] {
        let rejection = verify_report(&report.report, &other.vcek(), NOW).unwrap_err();
        assert!(
            matches!(rejection, Rejection::TcbMismatch { .. } | Rejection::ChipIdMismatch { .. }),
            "{} with the VCEK of {}: {rejection}",
            report.name,
            other.name
        );
    }
}

#[test]
fn a_vcek_of_another_chip_with_the_same_tcb_fails_on_the_chip_id() {
    let Some(set) = load("virtee-sev-milan") else { return };
    let mut other = set.vcek();
    other.chip_id[0] ^= 0xff;
    let rejection = verify_report(&set.report, &other, NOW).unwrap_err();
    assert!(matches!(rejection, Rejection::ChipIdMismatch { .. }));
    assert!(rejection.to_string().starts_with("VCEK belongs to chip 2b9554ec"), "{rejection}");
    // Even with the claims forged to match, another key does not verify the signature.
    let Some(genoa) = load("msft-tav-genoa") else { return };
    let mut forged = set.vcek();
    forged.public_key_sec1 = genoa.vcek().public_key_sec1;
    assert_eq!(verify_report(&set.report, &forged, NOW), Err(Rejection::BadSignature));
}

#[test]
fn a_report_of_one_family_with_a_vcek_of_another_is_rejected() {
    let (Some(genoa), Some(turin), Some(milan)) =
        (load("msft-tav-genoa"), load("msft-tav-turin"), load("msft-tav-milan"))
    else {
        return;
    };
    let rejection = verify_report(&genoa.report, &milan.vcek(), NOW).unwrap_err();
    assert_eq!(rejection, Rejection::FamilyMismatch { report: Family::Genoa, vcek: Family::Milan });
    let rejection = verify_report(&turin.report, &genoa.vcek(), NOW).unwrap_err();
    assert_eq!(rejection, Rejection::FamilyMismatch { report: Family::Turin, vcek: Family::Genoa });
}

#[test]
fn a_chain_of_another_family_is_rejected() {
    let Some(milan) = load("msft-tav-milan") else { return };
    let (Some(genoa_ark), Some(genoa_ask)) = (cert("amd-roots/genoa_ark.pem"), cert("amd-roots/genoa_ask.pem")) else {
        return;
    };
    // Genoa's genuine chain presented as Milan's: the Milan VCEK is not signed by SEV-Genoa.
    let roots = Roots::custom(vec![(Family::Milan, genoa_ark, genoa_ask)]);
    let rejection = verify_vcek(&milan.vcek_der, &roots).unwrap_err();
    assert!(
        matches!(rejection, Rejection::ChainBroken { signer: CertRole::Ask, signee: CertRole::Vcek, .. }),
        "{rejection}"
    );
}

#[test]
fn an_ark_that_does_not_sign_the_ask_is_rejected() {
    let Some(milan) = load("virtee-sev-milan") else { return };
    let (Some(turin_ark), Some(milan_ask)) = (cert("amd-roots/turin_ark.pem"), cert("amd-roots/milan_ask.pem")) else {
        return;
    };
    let roots = Roots::custom(vec![(Family::Milan, turin_ark, milan_ask)]);
    let rejection = verify_vcek(&milan.vcek_der, &roots).unwrap_err();
    assert!(
        matches!(rejection, Rejection::ChainBroken { signer: CertRole::Ark, signee: CertRole::Ask, .. }),
        "{rejection}"
    );
}

#[test]
fn an_asvk_in_place_of_the_ask_does_not_sign_a_vcek() {
    let Some(genoa) = load("msft-tav-genoa") else { return };
    let (Some(ark), Some(asvk)) = (cert("amd-roots/genoa_ark.pem"), cert("amd-roots/genoa_asvk.pem")) else { return };
    let rejection = verify_vcek(&genoa.vcek_der, &Roots::custom(vec![(Family::Genoa, ark, asvk)])).unwrap_err();
    assert!(matches!(rejection, Rejection::ChainBroken { .. }), "{rejection}");
}

#[test]
fn roots_without_the_family_are_rejected() {
    let Some(turin) = load("msft-tav-turin") else { return };
    let amd = Roots::amd();
    let milan_only = Roots::custom(vec![(
        Family::Milan,
        amd.ark_der(Family::Milan).unwrap().to_vec(),
        amd.ask_der(Family::Milan).unwrap().to_vec(),
    )]);
    assert_eq!(verify_vcek(&turin.vcek_der, &milan_only), Err(Rejection::NoRoots { family: Family::Turin }));
}
