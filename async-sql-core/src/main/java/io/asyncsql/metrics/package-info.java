/**
 * Micrometer meters of async-sql engines, readers and retried transactions.
 */
@NullMarked
package io.asyncsql.metrics;

import org.jspecify.annotations.NullMarked;
