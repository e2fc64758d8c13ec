// Build time only: the few DOM calls the page's render functions make (results.js, patch.js,
// dom.js), over the elements of web/index.html they name by id, so web/build.mjs can run those
// functions in Node and write what they rendered into the page as markup (the prerendered
// answer). Inline style attributes would be refused by the page's CSP (style-src by hash), so
// styles come back as CSS rules; hidden elements are left out (the first paint cannot show
// them, and the live render replaces every container's children).

const VOID = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'wbr']);
const escapeText = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s) => escapeText(s).replace(/"/g, '&quot;');
const kebab = (p) => p.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

class Text {
  constructor(data) {
    this.nodeType = 3;
    this.text = String(data);
    this.parentNode = null;
  }
  get data() { return this.text; }
  set data(v) {
    this.text = String(v);
    if (this.parentNode) this.parentNode.childrenChanged = true;
  }
  get textContent() { return this.data; }
  remove() { this.parentNode?.removeChild(this); }
}

class Element {
  constructor(tag, attrs = []) {
    this.nodeType = 1;
    this.tag = tag;
    this.attrs = new Map(attrs);
    this.childNodes = [];
    this.parentNode = null;
    this.style = {};
    this.hidden = this.attrs.has('hidden');
    this.attrs.delete('hidden');
    this.childrenChanged = false; // the template's children were replaced
  }
  get tagName() { return this.tag.toUpperCase(); }
  get id() { return this.attrs.get('id') || ''; }
  get className() { return this.attrs.get('class') || ''; }
  set className(v) { this.attrs.set('class', String(v)); }
  get classList() {
    const list = () => this.className.split(/\s+/).filter(Boolean);
    const set = (l) => { this.className = l.join(' '); };
    return {
      contains: (c) => list().includes(c),
      add: (c) => { if (!list().includes(c)) set([...list(), c]); },
      remove: (c) => set(list().filter((x) => x !== c)),
      toggle: (c, force = !list().includes(c)) => {
        set(force ? [...list().filter((x) => x !== c), c] : list().filter((x) => x !== c));
        return force;
      },
    };
  }
  getAttribute(k) { return this.attrs.has(k) ? this.attrs.get(k) : null; }
  setAttribute(k, v) { this.attrs.set(k, String(v)); }
  removeAttribute(k) { this.attrs.delete(k); }
  get firstChild() { return this.childNodes[0] ?? null; }
  get lastChild() { return this.childNodes[this.childNodes.length - 1] ?? null; }
  get textContent() { return this.childNodes.map((c) => c.textContent).join(''); }
  set textContent(v) { this.replaceChildren(new Text(v)); }
  adopt(n) {
    const node = typeof n === 'string' ? new Text(n) : n;
    node.parentNode?.removeChild(node);
    node.parentNode = this;
    return node;
  }
  append(...nodes) {
    this.childrenChanged = true;
    for (const n of nodes) this.childNodes.push(this.adopt(n));
  }
  replaceChildren(...nodes) {
    for (const c of this.childNodes) c.parentNode = null;
    this.childNodes = [];
    this.append(...nodes);
  }
  replaceChild(node, old) {
    const i = this.childNodes.indexOf(old);
    if (i < 0) throw new Error('static_dom: replaceChild of a node that is not a child');
    old.parentNode = null;
    this.childNodes[i] = this.adopt(node);
    this.childrenChanged = true;
  }
  removeChild(node) {
    this.childNodes.splice(this.childNodes.indexOf(node), 1);
    node.parentNode = null;
    this.childrenChanged = true;
  }
  remove() { this.parentNode?.removeChild(this); }
  styleText() {
    return Object.entries(this.style).filter(([, v]) => v !== '' && v !== undefined && v !== null)
      .map(([p, v]) => `${kebab(p)}:${String(v).replace(/(\.\d{3})\d+/g, '$1')}`).join(';'); // 0.001% is finer than a pixel
  }
  openTag() {
    const attrs = [...this.attrs].map(([k, v]) => (v === '' ? ` ${k}` : ` ${k}="${escapeAttr(v)}"`)).join('');
    return `<${this.tag}${attrs}${this.hidden ? ' hidden' : ''}>`;
  }
  // Markup of the children; each styled descendant adds a rule (selector from `path`) to `css`.
  innerHtml(path, css) {
    let k = 0;
    return this.childNodes.map((c) => {
      if (c.nodeType === 3) return escapeText(c.data);
      k += 1;
      if (c.hidden) return '';
      const p = `${path}>:nth-child(${k})`;
      const style = c.styleText();
      if (style) css.push(`${p}{${style}}`);
      return VOID.has(c.tag) ? c.openTag() : `${c.openTag()}${c.innerHtml(p, css)}</${c.tag}>`;
    }).join('');
  }
}

// The opening tag of the element with this id in `html`: [start, end, tag, attrs].
function findOpening(html, id) {
  const re = new RegExp(`<([a-z][a-z0-9]*)((?:\\s[^>]*)?\\sid="${id}"(?:\\s[^>]*)?)>`, 'g');
  const m = re.exec(html);
  if (!m) throw new Error(`static_dom: web/index.html has no element with id="${id}"`);
  if (re.exec(html)) throw new Error(`static_dom: id="${id}" appears twice in web/index.html`);
  const attrs = [...m[2].matchAll(/\s([a-z][\w:-]*)(?:="([^"]*)")?/g)].map(([, k, v]) => [k, v ?? '']);
  return [m.index, m.index + m[0].length, m[1], attrs];
}

// Where the element that opens at `from` closes: [start of its end tag, end of it].
function findClosing(html, tag, from) {
  const re = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'g');
  re.lastIndex = from;
  let depth = 1;
  for (let m; (m = re.exec(html));) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return [m.index, m.index + m[0].length];
  }
  throw new Error(`static_dom: <${tag}> opened at ${from} is never closed`);
}

// A document over `template` (web/index.html): getElementById gives the template's element,
// with its attributes, and plain text content where it has no markup inside.
export function staticDocument(template) {
  const byId = new Map();
  return {
    byId,
    createElement: (tag) => new Element(tag),
    createTextNode: (data) => new Text(data),
    getElementById(id) {
      if (!byId.has(id)) {
        const [, end, tag, attrs] = findOpening(template, id);
        const e = new Element(tag, attrs);
        const inner = template.slice(end, findClosing(template, tag, end)[0]);
        if (!inner.includes('<')) e.childNodes = inner ? [Object.assign(new Text(inner), { parentNode: e })] : [];
        else e.childNodes = null; // markup the render functions must not read
        byId.set(id, e);
      }
      return byId.get(id);
    },
  };
}

// Whether the element with id `inner` lies inside the one with id `outer` in `html`.
export function contains(html, outer, inner) {
  const [, end, tag] = findOpening(html, outer);
  const [at] = findOpening(html, inner);
  return at >= end && at < findClosing(html, tag, end)[0];
}

// Writes what the render functions did to `doc`'s elements into `template`: each element's
// attributes, its children where they were replaced, and the CSS rules for its styles.
export function applyToTemplate(template, doc) {
  let html = template;
  const css = [];
  for (const [id, e] of doc.byId) {
    const [start, end, tag] = findOpening(html, id);
    const style = e.styleText();
    if (style) css.push(`#${id}{${style}}`);
    let out = e.openTag();
    let to = end;
    if (e.childrenChanged) {
      const [close] = findClosing(html, tag, end);
      out += e.innerHtml(`#${id}`, css);
      to = close;
    }
    html = html.slice(0, start) + out + html.slice(to);
  }
  return { html, css: css.join('') };
}
