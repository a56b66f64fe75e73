/**
 * A runnable WebFlux application over async-sql: the getting-started flow and a small
 * users API.
 */
@NullMarked
package io.asyncsql.sample;

import org.jspecify.annotations.NullMarked;
