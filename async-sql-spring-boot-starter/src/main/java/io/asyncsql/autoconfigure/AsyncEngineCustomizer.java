package io.asyncsql.autoconfigure;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncEngineBuilder;

/**
 * Callback that customizes the auto-configured {@link AsyncEngine} before it is built,
 * after the {@code async-sql.*} properties have been applied.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface AsyncEngineCustomizer {

	/**
	 * Customize the engine's builder.
	 * @param builder the builder to customize
	 */
	void customize(AsyncEngineBuilder builder);

}
