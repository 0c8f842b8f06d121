// Tokenize .flow files with the extension's TextMate grammar (the engine VS Code uses) and
// report every token that gets an "invalid" scope: `node tests/no_invalid_scopes.js FILE...`.
// Exit 0 when there is none, 1 otherwise (one line per token: file:line:col: scope 'text').
"use strict";

const fs = require("fs");
const path = require("path");
const oniguruma = require("vscode-oniguruma");
const textmate = require("vscode-textmate");

const GRAMMAR = path.join(__dirname, "..", "syntaxes", "smflow.tmLanguage.json");

async function main(files) {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => textmate.parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR),
  });
  const grammar = await registry.loadGrammar("source.smflow");
  let bad = 0;
  let tokens = 0;
  for (const file of files) {
    const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
    let stack = textmate.INITIAL;
    lines.forEach((line, i) => {
      const result = grammar.tokenizeLine(line, stack);
      for (const token of result.tokens) {
        tokens += 1;
        const invalid = token.scopes.find((s) => s.startsWith("invalid"));
        if (invalid) {
          bad += 1;
          const text = line.slice(token.startIndex, token.endIndex);
          console.log(`${file}:${i + 1}:${token.startIndex + 1}: ${invalid} '${text}'`);
        }
      }
      stack = result.ruleStack;
    });
  }
  console.error(`${files.length} file(s), ${tokens} token(s), ${bad} invalid`);
  process.exit(bad ? 1 : 0);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(2);
});
