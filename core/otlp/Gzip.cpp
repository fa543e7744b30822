namespace cctv::otlp {}
