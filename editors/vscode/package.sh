#!/usr/bin/env bash
# Build the VS Code extension: `bash editors/vscode/package.sh` writes editors/vscode/smflow.vsix.
# npm ci installs exactly what package-lock.json pins (from the npm registry, or npm's cache when
# offline), then @vscode/vsce packs the extension with its runtime dependency
# (vscode-languageclient); nothing is fetched at run time.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --prefer-offline --no-audit --no-fund  # from npm's cache when it holds the lock's packages
npx --no-install vsce package --out smflow.vsix
echo "built $(pwd)/smflow.vsix"
