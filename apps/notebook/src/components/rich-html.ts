/** The markdown and sanitizer chunk, shared by every component that draws untrusted HTML. */
import { lazyModule } from '../util/lazy-module.ts';

export const richHtml = lazyModule(() => import('../util/rich-html.ts'));
