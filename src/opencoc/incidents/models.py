"""Tables of the incidents domain."""
