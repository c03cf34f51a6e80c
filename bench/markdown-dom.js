// A minimal DOM for running webroot/chat/markdown.js in Node (bench/markdown.js): elements, text
// nodes, and what the renderer and the benchmark use of them. Not a browser; enough to time the work.
'use strict';
const fs = require('fs');
const vm = require('vm');

class Node {
  constructor() { this.parentNode = null; this.childNodes = []; }
  appendChild(child) {
    if (child instanceof Fragment) {
      child.childNodes.forEach((c) => { c.parentNode = this; this.childNodes.push(c); });
      child.childNodes = [];
      return child;
    }
    if (child.parentNode) { child.parentNode.removeChild(child); }
    child.parentNode = this;
    this.childNodes.push(child);
    return child;
  }
  insertBefore(child, ref) {
    if (!ref) { return this.appendChild(child); }
    if (child.parentNode) { child.parentNode.removeChild(child); }
    child.parentNode = this;
    this.childNodes.splice(this.childNodes.indexOf(ref), 0, child);
    return child;
  }
  removeChild(child) {
    const i = this.childNodes.lastIndexOf(child);
    if (i >= 0) { this.childNodes.splice(i, 1); }
    child.parentNode = null;
    return child;
  }
  remove() { if (this.parentNode) { this.parentNode.removeChild(this); } }
  append(...nodes) { nodes.forEach((n) => this.appendChild(n)); }
  replaceChildren(...nodes) { this.childNodes.forEach((c) => { c.parentNode = null; }); this.childNodes = []; this.append(...nodes); }
  get firstChild() { return this.childNodes[0] || null; }
  get lastChild() { return this.childNodes[this.childNodes.length - 1] || null; }
  get textContent() { return this.childNodes.map((c) => c.textContent).join(''); }
  set textContent(value) { this.replaceChildren(); if (value !== '') { this.appendChild(new Text(String(value))); } }
}

class Text extends Node {
  constructor(data) { super(); this.data = data; }
  get textContent() { return this.data; }
  set textContent(value) { this.data = String(value); }
  get html() { return this.data.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
}

class Element extends Node {
  constructor(tag) { super(); this.tagName = tag.toUpperCase(); this.attributes = {}; }
  set className(v) { this.attributes.class = v; }
  get className() { return this.attributes.class || ''; }
  setAttribute(name, value) { this.attributes[name] = String(value); }
  getAttribute(name) { return name in this.attributes ? this.attributes[name] : null; }
  set href(v) { this.attributes.href = v; }
  get href() { return this.attributes.href; }
  set target(v) { this.attributes.target = v; }
  set rel(v) { this.attributes.rel = v; }
  set start(v) { this.attributes.start = String(v); }
  /** Serialised like a browser's outerHTML (attributes in the order set), to compare two renderings. */
  get html() {
    const tag = this.tagName.toLowerCase();
    const attrs = Object.keys(this.attributes).map((k) => ' ' + k + '="' + this.attributes[k].replace(/&/g, '&amp;').replace(/"/g, '&quot;') + '"').join('');
    return '<' + tag + attrs + '>' + this.childNodes.map((c) => c.html).join('') + (tag === 'br' || tag === 'hr' ? '' : '</' + tag + '>');
  }
}

class Fragment extends Node {}

/** Loads a renderer file (default: the page's) into a fresh context and returns its window.ParleyMarkdown. */
function load(file) {
  const document = {
    createElement: (tag) => new Element(tag),
    createTextNode: (data) => new Text(String(data)),
    createDocumentFragment: () => new Fragment(),
  };
  const window = { location: { href: 'http://127.0.0.1/chat/bot' } };
  const context = vm.createContext({ window, document, URL, console });
  vm.runInContext(fs.readFileSync(file, 'utf8'), context, { filename: file });
  return window.ParleyMarkdown;
}

module.exports = { load, Element, Text };
