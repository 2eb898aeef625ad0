//! Dutch identifier systems (nl-core) and their check rules.

/// Burgerservicenummer.
pub const BSN: &str = "http://fhir.nl/fhir/NamingSystem/bsn";
/// AGB code (Vektis) of a care provider or organisation.
pub const AGB: &str = "http://fhir.nl/fhir/NamingSystem/agb-z";
/// BIG register number.
pub const BIG: &str = "http://fhir.nl/fhir/NamingSystem/big";
/// UZI number of a person.
pub const UZI: &str = "http://fhir.nl/fhir/NamingSystem/uzi-nr-pers";
/// URA number of a care organisation.
pub const URA: &str = "http://fhir.nl/fhir/NamingSystem/ura";
/// UZOVI code of a health insurer.
pub const UZOVI: &str = "http://fhir.nl/fhir/NamingSystem/uzovi";

/// Whether `bsn` is a well-formed BSN: nine digits that pass the 11-proef
/// (9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11, and not 0).
pub fn is_valid_bsn(bsn: &str) -> bool {
    let bytes = bsn.as_bytes();
    if bytes.len() != 9 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: i64 = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let digit = i64::from(b - b'0');
            if i == 8 {
                -digit
            } else {
                (9 - i as i64) * digit
            }
        })
        .sum();
    sum != 0 && sum % 11 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleven_test() {
        assert!(is_valid_bsn("999911120"));
        assert!(is_valid_bsn("111222333"));
        assert!(!is_valid_bsn("999911121"));
        assert!(!is_valid_bsn("123456789"));
        assert!(!is_valid_bsn("000000000"));
        assert!(!is_valid_bsn("99991112"));
        assert!(!is_valid_bsn("9999111200"));
        assert!(!is_valid_bsn("99991112a"));
    }
}
