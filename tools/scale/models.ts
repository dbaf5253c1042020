// The scale scripts' models: the tests' (test/scale/models.ts), in the scripts' own scratch databases.
import { scaleModels } from "../../test/scale/models.ts"

export const { registry, links, Parent, Child, Tag, Node, Doc } = scaleModels("sc_")
