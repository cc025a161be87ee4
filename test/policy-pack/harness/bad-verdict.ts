/**
 * The pack's verdict on the deliberately bad prod program (../fixtures/bad-program.ts), registered under the
 * test mocks, each resource with the source position the SDK recorded for it. For the plan report's suites.
 */
import { installMocks, resetResources, settled } from "../../mocks";
installMocks();
import { configForEveryPolicy } from "../../../policy-pack/harness/analyzer-client";
import { analyzeRecords, PackVerdict, recordRegistrations, startPack } from "../../../policy-pack/harness/resources";
import { BAD_ENV, BAD_REGISTRY, badProgram } from "../fixtures/bad-program";

export const BAD_PROJECT_NAME = "k8s-baseline";

export async function badProgramVerdict(): Promise<PackVerdict> {
    const recorder = recordRegistrations();
    const pack = await startPack();
    try {
        resetResources();
        recorder.reset();
        badProgram();
        await settled();
        return await analyzeRecords(pack.session, recorder.records(), {
            stack: BAD_ENV,
            project: BAD_PROJECT_NAME,
            config: (info) => configForEveryPolicy(info, { env: BAD_ENV, registries: [BAD_REGISTRY] }),
        });
    } finally {
        await pack.stop();
    }
}
