// The VS Code side of smflow: start `smflow lsp` (the language server) for .flow files.
//
// Everything a runbook author sees (diagnostics, completion, hover, navigation, rename,
// formatting) comes from the server; this file only starts it, with the executable and the
// arguments from the settings `smflow.server.path` and `smflow.server.args`, and restarts it
// when they change or on the command "smflow: Restart the language server".
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration("smflow");
  const command = config.get("server.path") || "smflow";
  const args = config.get("server.args") || ["lsp"];
  return { command, args, options: { env: process.env } };
}

async function start(context) {
  client = new LanguageClient("smflow", "smflow", serverOptions(), {
    documentSelector: [
      { scheme: "file", language: "smflow" },
      { scheme: "untitled", language: "smflow" },
    ],
  });
  try {
    await client.start();
  } catch (err) {
    const path = serverOptions().command;
    vscode.window.showErrorMessage(
      `smflow: could not start the language server with '${path}' (${err.message || err}). ` +
        "Install it with: pip install 'smflow[lsp]', or set smflow.server.path."
    );
  }
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

async function restart(context) {
  if (client) {
    await client.stop().catch(() => undefined);
  }
  await start(context);
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("smflow.restartServer", () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("smflow.server")) {
        restart(context);
      }
    })
  );
  await start(context);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
