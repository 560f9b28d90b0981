"""Other teams' toolchains: a consuming repository's CI, TypeScript generators, Specmatic."""
