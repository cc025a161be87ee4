/** Every policy of the pack, by group. The pack, the check command and the tests read this list. */
import { Policy } from "./types";

export const ALL_POLICIES: readonly Policy[] = [];
