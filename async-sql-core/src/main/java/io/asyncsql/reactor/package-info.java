/**
 * Reactor API of async-sql: {@link io.asyncsql.reactor.ReactiveJdbcTemplate} and
 * {@link io.asyncsql.reactor.ReactiveJdbcClient}.
 */
@NullMarked
package io.asyncsql.reactor;

import org.jspecify.annotations.NullMarked;
