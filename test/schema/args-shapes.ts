/**
 * The Args properties of each component class, read from the sources with the TypeScript checker: all of
 * them, and those declared without `?`. Independent of the host's analyzer, which the schema tests check
 * against it: a generated SDK makes a required input a required constructor argument, so a mismatch either
 * lets a Python or YAML program omit what the component needs or forces it to pass what the component
 * defaults.
 */
import * as path from "node:path";
import * as ts from "typescript";
import { REPO_ROOT } from "./infer-schema";

export interface ArgsShape {
    readonly argsType: string;
    readonly required: string[];
    readonly all: string[];
}

/** Per component class (by name) declared under components/: its Args type's properties. */
export function argsShapes(program: ts.Program, names: readonly string[]): Map<string, ArgsShape> {
    const checker = program.getTypeChecker();
    const wanted = new Set(names);
    const shapes = new Map<string, ArgsShape>();
    for (const file of program.getSourceFiles()) {
        if (!file.fileName.startsWith(path.join(REPO_ROOT, "components") + path.sep)) continue;
        file.forEachChild((node) => {
            if (!ts.isClassDeclaration(node) || !node.name || !wanted.has(node.name.text)) return;
            const ctor = node.members.find(ts.isConstructorDeclaration);
            const args = ctor?.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === "args");
            if (!args?.type) return;
            const type = checker.getTypeFromTypeNode(args.type);
            const props = checker.getPropertiesOfType(type);
            shapes.set(node.name.text, {
                argsType: checker.typeToString(type),
                all: props.map((p) => p.name).sort(),
                required: props
                    .filter((p) => (p.flags & ts.SymbolFlags.Optional) === 0)
                    .map((p) => p.name)
                    .sort(),
            });
        });
    }
    return shapes;
}
