#!/usr/bin/env node
// Check Mermaid diagrams with Mermaid's own parser, headless (for .ci/run).
//
// Usage: MERMAID_MODULES=DIR node .ci/mermaid-parse.mjs FILE...
//   FILE.md: every ```mermaid code block in it (a .md without one fails); any other file: one diagram.
//   DIR holds node_modules/ with mermaid and jsdom (.ci/run installs pinned versions there).
// Exit: 0 every diagram parses, 1 one does not, 2 setup or usage error.
//
// mermaid.parse() sanitises labels with DOMPurify, which needs a DOM window: without one it is a stub and
// parse() throws "DOMPurify.addHook is not a function" for every *valid* flowchart. So a jsdom window is put
// on globalThis before mermaid is imported (a dynamic import: a static one would run first).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: MERMAID_MODULES=DIR node mermaid-parse.mjs FILE...');
  process.exit(2);
}
const require = createRequire(join(resolve(process.env.MERMAID_MODULES || '.'), 'package.json'));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);

let mermaid;
try {
  const { JSDOM } = await load('jsdom');
  const { window } = new JSDOM('<!doctype html><html><body></body></html>');
  globalThis.window = window;
  globalThis.document = window.document;
  mermaid = (await load('mermaid')).default;
  mermaid.initialize({ startOnLoad: false });
} catch (e) {
  console.error(`setup: ${e.message} (install mermaid and jsdom under MERMAID_MODULES)`);
  process.exit(2);
}

// The diagrams of a file, each with the line it starts on.
function diagrams(path, text) {
  if (!path.endsWith('.md')) return [{ line: 1, text }];
  const found = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```mermaid') continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1].trim() !== '```') i++;
    found.push({ line: start + 1, text: lines.slice(start, i + 1).join('\n') });
    i++;
  }
  return found;
}

let failed = false;
for (const path of files) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    console.error(`${path}: ${e.message}`);
    process.exit(2);
  }
  const found = diagrams(path, text);
  if (found.length === 0) {
    console.log(`FAIL ${path}: no mermaid diagram`);
    failed = true;
  }
  for (const { line, text: diagram } of found) {
    try {
      const { diagramType } = await mermaid.parse(diagram);
      console.log(`ok   ${path}:${line} ${diagramType}`);
    } catch (e) {
      console.log(`FAIL ${path}:${line}\n${e.message}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
