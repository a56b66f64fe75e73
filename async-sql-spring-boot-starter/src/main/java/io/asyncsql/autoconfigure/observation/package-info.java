/**
 * Auto-configuration of the observations of async-sql operations.
 */
@NullMarked
package io.asyncsql.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
