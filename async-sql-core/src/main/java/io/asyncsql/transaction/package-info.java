/**
 * Declarative transactions for methods that return a {@code CompletableFuture}.
 */
@NullMarked
package io.asyncsql.transaction;

import org.jspecify.annotations.NullMarked;
