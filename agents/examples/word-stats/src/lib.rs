//! Word statistics of a UTF-8 text: words, lines, characters, and the ten most
//! frequent words (lowercased), as JSON.

use std::collections::HashMap;

struct WordStats;

const TOP: usize = 10;

impl redoubt_sdk::Agent for WordStats {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        let text = String::from_utf8(input).map_err(|e| format!("input is not UTF-8 text: {e}"))?;
        let mut counts: HashMap<String, u64> = HashMap::new();
        let mut words = 0u64;
        for word in text.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()) {
            words += 1;
            *counts.entry(word.to_lowercase()).or_default() += 1;
        }
        let mut top: Vec<(String, u64)> = counts.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(TOP);
        let stats = serde_json::json!({
            "words": words,
            "lines": text.lines().count(),
            "chars": text.chars().count(),
            "top_words": top.iter().map(|(word, count)| serde_json::json!({"word": word, "count": count})).collect::<Vec<_>>(),
        });
        serde_json::to_vec_pretty(&stats).map_err(|e| e.to_string())
    }
}

redoubt_sdk::export!(WordStats);
