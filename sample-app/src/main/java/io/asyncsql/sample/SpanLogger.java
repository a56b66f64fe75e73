package io.asyncsql.sample;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Component;

/**
 * Exports finished trace spans to the log, one line each, so the sample shows its traces
 * without a tracing server: a request's {@code http get /users/{id}} span, its
 * {@code asyncsql statement} span and that span's {@code asyncsql wait} and
 * {@code asyncsql execution} children share one trace id. Spring Boot hands every
 * {@link SpanHandler} bean to Brave; a real application would add Zipkin or OTLP instead.
 *
 * @since 0.1.0
 */
@Component
public class SpanLogger extends SpanHandler {

	private static final Log logger = LogFactory.getLog(SpanLogger.class);

	@Override
	public boolean end(TraceContext context, MutableSpan span, Cause cause) {
		if (cause == Cause.FINISHED && logger.isInfoEnabled()) {
			long micros = span.finishTimestamp() - span.startTimestamp();
			logger.info("span '" + span.name() + "' trace=" + span.traceId() + " id=" + span.id() + " parent="
					+ span.parentId() + " " + micros + " µs " + span.tags());
		}
		return true;
	}

}
