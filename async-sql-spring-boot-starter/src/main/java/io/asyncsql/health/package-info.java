/**
 * Health indicator of an async-sql engine, usable without auto-configuration.
 */
@NullMarked
package io.asyncsql.health;

import org.jspecify.annotations.NullMarked;
