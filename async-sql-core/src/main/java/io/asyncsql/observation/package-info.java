/**
 * Micrometer observations of async-sql operations: their documentation, context and
 * convention, and a slow-operation log.
 */
@NullMarked
package io.asyncsql.observation;

import org.jspecify.annotations.NullMarked;
