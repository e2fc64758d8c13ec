// Tiny DOM helpers. Text always goes in through textContent / text nodes, never innerHTML.
export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function setText(node, text) {
  const t = String(text);
  const only = node.firstChild;
  // Rewriting the one text node in place: no node is removed and inserted, so the browser
  // has nothing new to style.
  if (only && only === node.lastChild && only.nodeType === Node.TEXT_NODE) {
    if (only.data !== t) only.data = t;
  } else if (node.textContent !== t) {
    node.textContent = t;
  }
}

export function setAttr(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

export function show(node, visible) {
  if (node.hidden === visible) node.hidden = !visible;
}

export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A command line to the clipboard; where the clipboard is refused (file://, no permission) it is
// selected for the reader to copy, and the button says which happened.
export async function copyCode(code, button) {
  try {
    await navigator.clipboard.writeText(code.textContent);
    setText(button, 'Copied');
  } catch {
    getSelection().selectAllChildren(code);
    setText(button, 'Selected: press Ctrl+C');
  }
}
