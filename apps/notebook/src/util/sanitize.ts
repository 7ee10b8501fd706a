/**
 * HTML from models and kernels reaches the page only through here. The page
 * carries the server's access cookie, so any script that ran would be code
 * execution for whoever wrote the prompt.
 */
import DOMPurify from 'dompurify';

// Links leave the page in a new tab that cannot reach back into it.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const CONFIG = {
  // Styles could restyle or cover the page; forms could phish for the token.
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'srcset', 'formaction'],
  ADD_ATTR: ['target'],
  ALLOW_DATA_ATTR: false,
};

/** Returns HTML with script, event handlers, `javascript:` URLs and styling removed. */
export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, CONFIG);
}
