/**
 * Tells when an element comes near the visible part of the cells' scroller. One
 * IntersectionObserver per scroller and margin serves every cell, so a long
 * notebook does not create one observer per cell as it opens.
 */

interface SharedObserver {
  observer: IntersectionObserver;
  waiting: Map<Element, () => void>;
}

const shared = new Map<string, WeakMap<Element | Document, SharedObserver>>();

function observerFor(root: Element | null, margin: string): SharedObserver {
  let byRoot = shared.get(margin);
  if (!byRoot) {
    byRoot = new WeakMap();
    shared.set(margin, byRoot);
  }
  const key = root ?? document;
  let found = byRoot.get(key);
  if (!found) {
    const waiting = new Map<Element, () => void>();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          const onNear = waiting.get(entry.target);
          waiting.delete(entry.target);
          observer.unobserve(entry.target);
          onNear?.();
        }
      },
      { root, rootMargin: margin },
    );
    found = { observer, waiting };
    byRoot.set(key, found);
  }
  return found;
}

/**
 * Calls `onNear` once, when `el` is within `margin` of the scroller's visible area
 * (at once where IntersectionObserver is missing). Returns a function that stops watching.
 */
export function whenNearViewport(el: Element, margin: string, onNear: () => void): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    onNear();
    return () => {};
  }
  // The cells scroll inside their own container, which clips an observer rooted at the viewport.
  const { observer, waiting } = observerFor(el.closest('.cells-scroller'), margin);
  waiting.set(el, onNear);
  observer.observe(el);
  return () => {
    if (waiting.delete(el)) observer.unobserve(el);
  };
}
