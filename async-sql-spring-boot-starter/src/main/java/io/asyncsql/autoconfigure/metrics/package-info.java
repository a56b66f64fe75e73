/**
 * Auto-configuration of the async-sql engine's Micrometer meters.
 */
@NullMarked
package io.asyncsql.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
