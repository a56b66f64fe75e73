/**
 * Auto-configuration of the async-sql health indicator.
 */
@NullMarked
package io.asyncsql.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
