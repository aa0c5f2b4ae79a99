import { covnetProject } from "../../vitest.shared.ts";

export default covnetProject("cli", { testTimeout: 180_000 });
