package io.asyncsql.kotlin

import org.junit.jupiter.params.ParameterizedClass
import org.junit.jupiter.params.provider.EnumSource

/**
 * Runs the annotated test class once on each [TestDatabase], which it takes in a
 * `@Parameter` field (or as its constructor argument, without `Lifecycle.PER_CLASS`); a
 * server that does not answer skips its run (see [TestDatabase.assumeAvailable]).
 */
@Target(AnnotationTarget.CLASS)
@Retention(AnnotationRetention.RUNTIME)
@MustBeDocumented
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase::class)
internal annotation class EachDatabase
