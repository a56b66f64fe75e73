/**
 * Reactor API of async-sql: {@link io.asyncsql.reactor.ReactiveJdbcTemplate}.
 */
@NullMarked
package io.asyncsql.reactor;

import org.jspecify.annotations.NullMarked;
