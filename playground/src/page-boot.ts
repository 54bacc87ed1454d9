/** The page's first module (main.ts imports it before the editor's): when the page's code started. */
export const pageStart = performance.now();
