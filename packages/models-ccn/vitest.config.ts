import { covnetProject } from "../../vitest.shared.ts";

export default covnetProject("models-ccn");
