//! The code's shape: the files of `web` import each other without loops, so do those of the
//! emulator (whose store imports none of them), and `web` and `emulator` never import each
//! other (only start-up and tests wire them together).
//!
//! A file's imports are the module paths it names (`crate::…`, `super::…`, `self::…`, also in
//! braces), resolved to the file that defines them; the page macros count as imports of `htmx`
//! and `view`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

type Module = Vec<String>;

/// Every `.rs` file under `src/<top>`, by module path (`["web", "instances", "list"]`).
fn modules(top: &str) -> BTreeMap<Module, PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut stack = vec![src.join(top)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&src).unwrap().with_extension("");
                let mut module: Module = relative
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                if module.last().is_some_and(|l| l == "mod") {
                    module.pop();
                }
                out.insert(module, path);
            }
        }
    }
    out
}

/// The modules each file of `files` names, among `known` (with `top/` files of the `tops`).
fn imports(
    files: &BTreeMap<Module, PathBuf>,
    known: &BTreeSet<Module>,
) -> BTreeMap<Module, BTreeSet<Module>> {
    let path =
        Regex::new(r"\b(?:crate|super|self)(?:::(?:[A-Za-z_][A-Za-z0-9_]*|\{[^}]*\}))+").unwrap();
    let comment = Regex::new(r"//[^\n]*").unwrap();
    let page_macro = Regex::new(r"crate::(?:page|fragment)!").unwrap();
    let resolve = |segments: Vec<String>| -> Option<Module> {
        (1..=segments.len())
            .rev()
            .map(|n| segments[..n].to_vec())
            .find(|candidate| known.contains(candidate))
    };
    let mut out = BTreeMap::new();
    for (module, file) in files {
        let text = std::fs::read_to_string(file).unwrap();
        let text = comment.replace_all(&text, "");
        // Tests inside a file may reach anywhere.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let is_dir = file.ends_with("mod.rs");
        let mut targets = BTreeSet::new();
        for found in path.find_iter(text) {
            let found = found.as_str();
            let expanded: Vec<String> = match found.split_once("::{") {
                Some((prefix, rest)) => rest
                    .trim_end_matches('}')
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| format!("{prefix}::{p}"))
                    .collect(),
                None => vec![found.to_owned()],
            };
            for text in expanded {
                let mut segments = text.split("::").map(str::to_owned);
                let first = segments.next().unwrap();
                let rest: Vec<String> = segments.collect();
                let mut base: Module = match first.as_str() {
                    "crate" => Vec::new(),
                    "self" if is_dir => module.clone(),
                    "self" | "super" => module[..module.len() - 1].to_vec(),
                    _ => unreachable!(),
                };
                let mut rest = rest.into_iter().peekable();
                if first == "super" && is_dir {
                    base.pop();
                }
                while rest.peek().is_some_and(|s| s == "super") {
                    rest.next();
                    base.pop();
                }
                base.extend(rest.filter(|s| {
                    s.chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                }));
                if let Some(target) = resolve(base)
                    && &target != module
                {
                    targets.insert(target);
                }
            }
        }
        if page_macro.is_match(text) {
            targets.insert(vec!["web".into(), "htmx".into()]);
            targets.insert(vec!["web".into(), "view".into()]);
        }
        targets.remove(module);
        out.insert(module.clone(), targets);
    }
    out
}

/// Every import loop of `graph`, each as its files in order.
fn loops(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    fn visit(
        node: &Module,
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        path: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
        found: &mut Vec<Vec<String>>,
    ) {
        if let Some(start) = path.iter().position(|n| n == node) {
            found.push(path[start..].iter().map(|m| m.join("/")).collect());
            return;
        }
        if done.contains(node) {
            return;
        }
        path.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done, found);
        }
        path.pop();
        done.insert(node.clone());
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, graph, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

#[test]
fn the_files_of_web_import_each_other_without_loops() {
    let files = modules("web");
    let known: BTreeSet<Module> = files.keys().cloned().collect();
    let graph = imports(&files, &known);
    assert!(graph.len() > 30, "{} files", graph.len());
    let found = loops(&graph);
    assert!(found.is_empty(), "import loops in web: {found:#?}");
}

#[test]
fn the_files_of_the_emulator_import_each_other_without_loops() {
    // The store in particular imports no other emulator module: each module owns its schema.
    let files = modules("emulator");
    let known: BTreeSet<Module> = files.keys().cloned().collect();
    let graph = imports(&files, &known);
    assert!(graph.len() > 30, "{} files", graph.len());
    let store: Module = vec!["emulator".into(), "store".into()];
    assert_eq!(
        graph.get(&store),
        Some(&BTreeSet::new()),
        "store imports nothing of the emulator"
    );
    let found = loops(&graph);
    assert!(found.is_empty(), "import loops in the emulator: {found:#?}");
}

#[test]
fn web_and_the_emulator_do_not_know_each_other() {
    let mut files = modules("web");
    files.extend(modules("emulator"));
    let known: BTreeSet<Module> = files.keys().cloned().collect();
    let graph = imports(&files, &known);
    for (module, targets) in &graph {
        for target in targets {
            assert_eq!(
                module[0],
                target[0],
                "{} imports {}",
                module.join("/"),
                target.join("/")
            );
        }
    }
}

#[test]
fn a_loop_is_found_when_there_is_one() {
    let a: Module = vec!["web".into(), "a".into()];
    let b: Module = vec!["web".into(), "b".into()];
    let c: Module = vec!["web".into(), "c".into()];
    let graph = BTreeMap::from([
        (a.clone(), BTreeSet::from([b.clone()])),
        (b.clone(), BTreeSet::from([c.clone()])),
        (c.clone(), BTreeSet::from([a.clone()])),
    ]);
    assert_eq!(loops(&graph), [vec!["web/a", "web/b", "web/c"]]);
    let graph = BTreeMap::from([
        (a.clone(), BTreeSet::from([b.clone()])),
        (b, BTreeSet::new()),
    ]);
    assert!(loops(&graph).is_empty());
}
