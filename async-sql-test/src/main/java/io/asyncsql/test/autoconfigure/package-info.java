/**
 * {@link io.asyncsql.test.autoconfigure.AsyncSqlTest @AsyncSqlTest}, a test slice for
 * code that uses async-sql, and the auto-configuration behind it.
 */
@NullMarked
package io.asyncsql.test.autoconfigure;

import org.jspecify.annotations.NullMarked;
