package io.asyncsql.health;

import io.asyncsql.ThreadMode;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What {@link AsyncEngineHealthIndicator}'s details need to be written as JSON in a
 * native image: the {@link ThreadMode} enum is the one value that is not a string, number
 * or map. Registered in {@code META-INF/spring/aot.factories}.
 */
final class AsyncEngineHealthRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), ThreadMode.class);
	}

}
