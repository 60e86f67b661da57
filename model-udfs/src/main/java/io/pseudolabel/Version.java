package io.pseudolabel;
/** Placeholder so the module compiles until the packages land. */
final class Version { static final String NAME = "pseudolabel"; private Version() {} }
