/**
 * `npm run schema`: writes schema.json, the package schema the component provider host infers, so that a
 * change of the API other languages see is a reviewed diff. A test fails while it is stale.
 */
import * as fs from "node:fs";
import { componentClassNames, formatSchema, GOLDEN_SCHEMA_PATH, inferSchema, loadEntryExports } from "./infer-schema";

const schema = inferSchema(componentClassNames(loadEntryExports()));
fs.writeFileSync(GOLDEN_SCHEMA_PATH, formatSchema(schema));
console.log(
    `wrote ${GOLDEN_SCHEMA_PATH}: ${Object.keys(schema.resources).length} components, ${Object.keys(schema.types).length} types`,
);
