/**
 * `@effect-tls/core`: placeholder entry point; the issues that build this package fill it.
 *
 * @since 0.1.0
 */
export {}
