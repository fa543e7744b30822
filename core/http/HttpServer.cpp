namespace cctv::http {}
