// Virtual nodes patched into the page: the results are described afresh on every update as
// plain objects, and only the text and attributes that differ from the previous description
// reach the DOM, so the browser restyles, lays out and repaints only those (rebuilding every
// row made each update relayout ~280 boxes). Children match by position: the page's lists
// keep their order, and where an item appears or goes the rows after it are rewritten.
// Preact did the same job in an earlier build; its generic diff cost the first result
// ~20-25 ms of compiling on a cold start, and this needs a few small functions.

// v(tag, attrs, ...children): attrs as for el() in dom.js ('text' is the content, 'class' the
// class, 'style' an object of properties, on* a handler); false, null and undefined are left out.
export function v(tag, attrs = {}, ...children) {
  const props = {};
  const kids = [];
  for (const k in attrs) {
    const val = attrs[k];
    if (val === undefined || val === null || val === false) continue;
    if (k === 'text') kids.push(String(val));
    else props[k] = val;
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    kids.push(typeof c === 'object' ? c : String(c));
  }
  return { tag, props, kids };
}

// Makes container's children match `nodes`, given what it rendered last time.
export function patch(container, nodes) {
  let prev = container.__vnodes;
  if (!prev) {
    container.replaceChildren(); // a page saved from the browser carries old DOM
    prev = [];
  }
  patchChildren(container, prev, nodes);
  container.__vnodes = nodes;
}

function create(n) {
  if (typeof n === 'string') return document.createTextNode(n);
  const e = document.createElement(n.tag);
  setProps(e, {}, n.props);
  for (const k of n.kids) e.append(create(k));
  return e;
}

function patchChildren(parent, prev, next) {
  const dom = parent.childNodes;
  for (let i = 0; i < next.length; i++) {
    const a = prev[i];
    const b = next[i];
    if (a === undefined) {
      parent.append(create(b));
    } else if (typeof b === 'string') {
      if (typeof a !== 'string') parent.replaceChild(create(b), dom[i]);
      else if (a !== b) dom[i].data = b;
    } else if (typeof a === 'string' || a.tag !== b.tag) {
      parent.replaceChild(create(b), dom[i]);
    } else {
      setProps(dom[i], a.props, b.props);
      patchChildren(dom[i], a.kids, b.kids);
    }
  }
  for (let i = prev.length - 1; i >= next.length; i--) dom[i].remove();
}

function setProps(e, prev, next) {
  for (const k in next) {
    const val = next[k];
    const old = prev[k];
    if (k === 'style') {
      for (const p in val) if (!old || old[p] !== val[p]) e.style[p] = val[p];
      if (old) for (const p in old) if (!(p in val)) e.style[p] = '';
    } else if (val === old) {
      continue;
    } else if (k === 'class') {
      e.className = val;
    } else if (k === 'hidden') {
      e.hidden = true;
    } else if (k.startsWith('on')) {
      e[k.toLowerCase()] = val;
    } else {
      e.setAttribute(k, val === true ? '' : String(val));
    }
  }
  for (const k in prev) {
    if (k in next) continue;
    if (k === 'style') e.removeAttribute('style');
    else if (k === 'class') e.className = '';
    else if (k === 'hidden') e.hidden = false;
    else if (k.startsWith('on')) e[k.toLowerCase()] = null;
    else e.removeAttribute(k);
  }
}
