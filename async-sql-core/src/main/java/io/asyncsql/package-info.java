/**
 * Non-blocking access to JDBC databases: the {@link io.asyncsql.AsyncEngine} and its
 * {@link java.util.concurrent.CompletableFuture} API.
 */
@NullMarked
package io.asyncsql;

import org.jspecify.annotations.NullMarked;
