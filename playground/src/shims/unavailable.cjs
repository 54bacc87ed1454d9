/**
 * Every other Node built-in (`fs`, `os`, `url`, `util`, `worker_threads`, ...) in the browser
 * bundle. The playground never reads files from disk, parses a command line, spawns workers or
 * writes a cache: the analyzer modules that import these only use them on CLI paths, so they
 * get functions that say so if ever called. `existsSync` answers false, so "find a tsconfig"
 * finds none. CommonJS, so that any named import builds (a missing one is undefined).
 */
'use strict';
function unavailable(name) {
  return function () {
    throw new Error(name + ' is not available in the playground');
  };
}
module.exports = new Proxy(
  { existsSync: () => false },
  {
    get(target, key) {
      if (typeof key !== 'string' || key === '__esModule' || key === 'then') return undefined;
      if (!(key in target)) target[key] = unavailable(key);
      return target[key];
    },
  },
);
