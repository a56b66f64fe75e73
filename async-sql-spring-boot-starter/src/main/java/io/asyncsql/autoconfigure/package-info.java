/**
 * Auto-configuration of async-sql for Spring Boot.
 */
@NullMarked
package io.asyncsql.autoconfigure;

import org.jspecify.annotations.NullMarked;
