/**
 * Node's on-disk cache of compiled code (`module.enableCompileCache`, Node 22.1 and later) for the command's
 * modules: a run loads nearly 300 of them, and compiling them is about a third of its start-up. Imported
 * first by the command and by its judging threads. The cache is Node's own: in NODE_COMPILE_CACHE's folder,
 * else in the OS's temporary folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off. A cache that cannot be
 * written is no error: the modules are then compiled as without it.
 */
import * as nodeModule from "node:module";

nodeModule.enableCompileCache?.();
