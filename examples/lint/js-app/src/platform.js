// One axios instance for the platform, shared by the resolver's modules.
import axios from 'axios'

export const API_BASE = 'https://api.example-platform.test/2.0'

export const platform = axios.create({ baseURL: API_BASE, timeout: 5000 })
