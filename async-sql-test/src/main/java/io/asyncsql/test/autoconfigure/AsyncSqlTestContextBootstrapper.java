package io.asyncsql.test.autoconfigure;

import org.springframework.boot.test.autoconfigure.TestSliceTestContextBootstrapper;

/**
 * Bootstrapper of {@link AsyncSqlTest @AsyncSqlTest}: reads its {@code properties}.
 */
final class AsyncSqlTestContextBootstrapper extends TestSliceTestContextBootstrapper<AsyncSqlTest> {

}
